/* dashboard_json.h - the Grafana dashboard's JSON after its uid and title, up to and including the
 * final "}\n": constant text written when goversec is built (compiler/lower/gen/dashboard_json.c
 * generates its definition in the build tree), read by lower_dashboard.c. */
#ifndef GOVERSEC_DASHBOARD_JSON_H
#define GOVERSEC_DASHBOARD_JSON_H

extern const char lower_dashboard_rest[];

#endif
