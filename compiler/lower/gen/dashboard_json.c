/* dashboard_json.c - a build-time tool, not part of goversec: writes the Grafana dashboard's JSON
 * (design 8.2) after its uid and title as a C source, `lower_dashboard_rest` (dashboard_json.h),
 * compiled into goversec. The text is the same for every cluster and every build (the data source
 * and the namespace are dashboard variables chosen in Grafana; lower_dashboard.c adds the uid and
 * title, which name the cluster): writing it when goversec runs was ~80 K instructions, a sixth of
 * lowering a cluster. The generated file lives in the build tree only (CMakeLists.txt).
 *
 * Usage: dashboard_json OUT.c
 *
 * The panels are a static table; the JSON is written straight as text in json_write's layout (see
 * JsonOut), which the golden trees and tests/unit/test_lower_monitoring.c check. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support/strbuf.h"
#include "support/swar.h"

typedef enum PanelKind { PANEL_ROW, PANEL_SERIES, PANEL_STAT } PanelKind;

typedef struct Target {
    const char *legend; /* NULL: Grafana's automatic legend */
    const char *expr;
} Target;

typedef struct PanelDef {
    PanelKind kind;
    const char *title, *unit;
    Target targets[3];
} PanelDef;

/* PromQL matchers on the dashboard's $namespace variable. No "{{" anywhere: the chart prints this
 * text inside a Helm template, where "{{" would start an action. */
#define NS "namespace=\"$namespace\""
#define RATE "[$__rate_interval]"
#define QUANTILES(metric, sel)                                                                   \
    {{"p50", "histogram_quantile(0.5, sum by (le) (rate(" metric "{" sel "}" RATE ")))"},        \
     {"p95", "histogram_quantile(0.95, sum by (le) (rate(" metric "{" sel "}" RATE ")))"},       \
     {"p99", "histogram_quantile(0.99, sum by (le) (rate(" metric "{" sel "}" RATE ")))"}}

static const PanelDef PANELS[] = {
    {PANEL_ROW, "Nodes", NULL, {{0}}},
    {PANEL_SERIES, "Objects per node", "short", {{NULL, "sum by (node) (goverse_objects_total{" NS "})"}}},
    {PANEL_SERIES, "Shards per node", "short", {{NULL, "max by (node) (goverse_shards_total{" NS "})"}}},
    {PANEL_SERIES, "Net object activation rate (activations - deactivations)", "ops",
     {{NULL, "sum by (node) (deriv(goverse_objects_total{" NS "}" RATE "))"}}},
    {PANEL_SERIES, "Node CPU (cores)", "short",
     {{NULL, "sum by (pod) (rate(container_cpu_usage_seconds_total{container=\"goverse-node\"," NS "}" RATE "))"}}},
    {PANEL_SERIES, "Node memory (working set)", "bytes",
     {{NULL, "sum by (pod) (container_memory_working_set_bytes{container=\"goverse-node\"," NS "})"}}},
    {PANEL_SERIES, "Object call latency", "s", QUANTILES("goverse_method_call_duration_bucket", NS)},
    {PANEL_SERIES, "Object calls by status", "reqps",
     {{NULL, "sum by (status) (rate(goverse_method_calls_total{" NS "}" RATE "))"}}},
    {PANEL_ROW, "Gates", NULL, {{0}}},
    {PANEL_SERIES, "Active client connections", "short",
     {{NULL, "sum by (gate) (goverse_gate_active_clients{" NS "})"}}},
    {PANEL_SERIES, "Request throughput", "reqps",
     {{"requests", "sum(rate(grpc_server_handled_total{job=\"goverse-gate\"," NS "}" RATE "))"},
      {"pushed messages", "sum(rate(goverse_gate_pushed_messages_total{" NS "}" RATE "))"},
      {"dropped messages", "sum(rate(goverse_gate_dropped_messages_total{" NS "}" RATE "))"}}},
    {PANEL_SERIES, "Request latency", "s",
     QUANTILES("grpc_server_handling_seconds_bucket", "job=\"goverse-gate\"," NS)},
    {PANEL_SERIES, "Request error rate", "percentunit",
     {{"errors", "sum(rate(grpc_server_handled_total{job=\"goverse-gate\",grpc_code!=\"OK\"," NS "}" RATE ")) / "
                 "sum(rate(grpc_server_handled_total{job=\"goverse-gate\"," NS "}" RATE "))"}}},
    {PANEL_ROW, "Cluster", NULL, {{0}}},
    {PANEL_STAT, "Nodes up", "short", {{NULL, "count(up{job=\"goverse-node\"," NS "} == 1)"}}},
    {PANEL_STAT, "Shards mapped", "short",
     {{"mapped", "sum(max by (node) (goverse_shards_total{" NS "}))"},
      {"migrating", "max(goverse_shards_migrating{" NS "})"}}},
    {PANEL_SERIES, "Leadership changes and shard migrations", "short",
     {{"etcd leader changes", "sum(increase(etcd_server_leader_changes_seen_total{job=\"etcd\"," NS "}[1h]))"},
      {"shard migrations", "sum(increase(goverse_shard_migrations_total{" NS "}[1h]))"}}},
    {PANEL_SERIES, "etcd health", "short",
     {{"members up", "sum(up{job=\"etcd\"," NS "})"},
      {"members with a leader", "sum(etcd_server_has_leader{job=\"etcd\"," NS "})"}}},
    {PANEL_SERIES, "etcd latency (p99)", "s",
     {{"WAL fsync",
       "histogram_quantile(0.99, sum by (le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{job=\"etcd\"," NS
       "}" RATE ")))"},
      {"backend commit",
       "histogram_quantile(0.99, sum by (le) (rate(etcd_disk_backend_commit_duration_seconds_bucket{job=\"etcd\"," NS
       "}" RATE ")))"},
      {"peer round trip",
       "histogram_quantile(0.99, sum by (le) (rate(etcd_network_peer_round_trip_time_seconds_bucket{job=\"etcd\"," NS
       "}" RATE ")))"}}},
};

#undef QUANTILES
#undef RATE
#undef NS

enum { GRID_WIDTH = 24, PANEL_WIDTH = 8, PANEL_HEIGHT = 8 };

/* ---- JSON text, streamed --------------------------------------------------------------------
 * JsonOut writes ~20 KB of JSON directly as text, in json_write's layout: "{" / "[", each member
 * on its own line indented by two spaces per level, ",\n" between members, "{}" / "[]" when
 * empty, a final newline. Keys are the identifiers below (nothing to escape); string values are
 * escaped as json_write does. (It was written for speed when goversec wrote the text at run time:
 * each member reserves its room once and stores its bytes through a pointer.) */
enum { JSON_DEPTHS = 8 }; /* the dashboard nests 7 levels */

typedef struct JsonOut {
    StrBuf b;
    int depth;
    bool empty; /* the innermost open container has no member yet */
    /* The datasource member as first written at each depth (offset and length in b, after its
     * indentation), copied for its ~30 repetitions (datasource below). */
    size_t datasource_at[JSON_DEPTHS], datasource_len[JSON_DEPTHS];
} JsonOut;

enum { DASHBOARD_CAP = 32768 }; /* the text is ~20 KB: one buffer, never regrown */

/* Where the next `n` bytes go; the caller advances b.len (jo_done). The text is terminated once,
 * by dashboard_rest. */
static inline char *room(JsonOut *j, size_t n)
{
    if (j->b.len + n + 1 <= j->b.cap)
        return j->b.data + j->b.len;
    return strbuf_reserve(&j->b, n, DASHBOARD_CAP);
}

static inline char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static inline void jo_done(JsonOut *j, const char *p) { j->b.len = (size_t)(p - j->b.data); }

/* `indent` spaces at p. The dashboard nests 7 levels at most: one fixed-size copy of
 * INDENT_ROOM spaces (cheaper than a memset call), of which `indent` are kept; callers reserve
 * INDENT_ROOM bytes more than they write. */
enum { INDENT_ROOM = 32 };

static inline char *spaces(char *p, size_t indent)
{
    static const char SPACES[INDENT_ROOM + 1] = "                                ";
    if (indent <= INDENT_ROOM)
        memcpy(p, SPACES, INDENT_ROOM);
    else
        memset(p, ' ', indent);
    return p + indent;
}

/* A member's key: always a literal, its length counted by the compiler (K) rather than by a
 * strlen per member; NO_KEY for the items of an array. */
typedef struct Key {
    const char *s;
    size_t n;
} Key;
#define K(literal) ((Key){"" literal, sizeof(literal) - 1}) /* "" refuses anything but a literal */
#define NO_KEY ((Key){NULL, 0})

/* n bytes from s, for the short keys (support/swar.h); returns the end. */
static inline char *put_short(char *p, const char *s, size_t n)
{
    swar_copy_short(p, s, n);
    return p + n;
}

/* Separator, newline, indentation and `"key": ` of the next member; returns where its value goes
 * (with room for `value` more bytes). */
static char *member_n(JsonOut *j, Key key, size_t value)
{
    size_t indent = 2 * (size_t)j->depth;
    char *p = room(j, 2 + INDENT_ROOM + indent + key.n + 4 + value);
    if (j->depth > 0) {
        if (!j->empty)
            *p++ = ',';
        *p++ = '\n';
        p = spaces(p, indent);
    }
    j->empty = false;
    if (key.s) {
        *p++ = '"';
        p = put_short(p, key.s, key.n);
        p = put(p, "\": ", 3);
    }
    return p;
}

static void begin(JsonOut *j, Key key, char bracket)
{
    char *p = member_n(j, key, 1);
    *p++ = bracket;
    jo_done(j, p);
    j->depth++;
    j->empty = true;
}

static void end(JsonOut *j, char bracket)
{
    j->depth--;
    size_t indent = 2 * (size_t)j->depth;
    char *p = room(j, INDENT_ROOM + indent + 2);
    if (!j->empty) {
        *p++ = '\n';
        p = spaces(p, indent);
    }
    *p++ = bracket;
    jo_done(j, p);
    j->empty = false;
}

static void str(JsonOut *j, Key key, const char *s)
{
    static const char HEX[] = "0123456789abcdef";
    size_t n = strlen(s);
    char *p = member_n(j, key, 6 * n + 2); /* worst case: every byte a \u00XX escape */
    *p++ = '"';
    const char *end = s + n;
    while (s < end) {
        uint64_t w, hits;
        if (end - s >= 8) {
            w = swar_load(s);
            /* The lowest flagged byte is a real hit (borrows only run upwards): the bytes below
             * it are copied with the word (the room holds 8), the hit itself is handled below.
             * On little-endian machines byte i of the word is s[i]. */
            hits = swar_escape_bits(w);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            size_t clean = hits ? (size_t)__builtin_ctzll(hits) / 8 : 8;
#else
            size_t clean = hits ? 0 : 8; /* no cheap "lowest address" there: byte by byte */
#endif
            p = put(p, s, 8) - 8 + clean;
            s += clean;
            if (clean == 8)
                continue;
        }
        unsigned char c = (unsigned char)*s++;
        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = (char)c;
            continue;
        }
        *p++ = '\\';
        if (c == '\n' || c == '\r' || c == '\t') {
            *p++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20) {
            p = put(p, "u00", 3);
            *p++ = HEX[c >> 4];
            *p++ = HEX[c & 15];
        } else {
            *p++ = (char)c;
        }
    }
    *p++ = '"';
    jo_done(j, p);
}

static void num(JsonOut *j, Key key, int64_t i)
{
    char digits[24];
    size_t n;
    const char *d = int64_dec(digits, i, &n);
    jo_done(j, put(member_n(j, key, n), d, n));
}

static void boolean(JsonOut *j, Key key, bool b)
{
    jo_done(j, put(member_n(j, key, 5), b ? "true" : "false", b ? 4 : 5));
}

static void empty(JsonOut *j, Key key, char opening, char closing)
{
    begin(j, key, opening);
    end(j, closing);
}

/* ---- the dashboard ------------------------------------------------------------------------------ */

/* Every panel and target names the same data source: the member's text depends only on its
 * depth, so it is written once per depth and copied after the separator and indentation. */
static void datasource(JsonOut *j)
{
    size_t d = (size_t)j->depth;
    if (d < JSON_DEPTHS && j->datasource_len[d]) {
        char *p = member_n(j, NO_KEY, j->datasource_len[d]);
        jo_done(j, put(p, j->b.data + j->datasource_at[d], j->datasource_len[d]));
        return;
    }
    jo_done(j, member_n(j, NO_KEY, 0));
    size_t at = j->b.len;
    j->depth = 0; /* begin below writes only the key and the bracket: no separator at depth 0 */
    begin(j, K("datasource"), '{');
    j->depth = (int)d + 1;
    str(j, K("type"), "prometheus");
    str(j, K("uid"), "${datasource}");
    end(j, '}');
    if (d < JSON_DEPTHS) {
        j->datasource_at[d] = at;
        j->datasource_len[d] = j->b.len - at;
    }
}

static void grid(JsonOut *j, int h, int w, int x, int y)
{
    begin(j, K("gridPos"), '{');
    num(j, K("h"), h);
    num(j, K("w"), w);
    num(j, K("x"), x);
    num(j, K("y"), y);
    end(j, '}');
}

static void targets(JsonOut *j, const PanelDef *p)
{
    begin(j, K("targets"), '[');
    for (int i = 0; i < 3 && p->targets[i].expr; i++) {
        begin(j, NO_KEY, '{');
        datasource(j);
        str(j, K("expr"), p->targets[i].expr);
        str(j, K("legendFormat"), p->targets[i].legend ? p->targets[i].legend : "__auto");
        str(j, K("refId"), (const char[]){"ABC"[i], '\0'});
        end(j, '}');
    }
    end(j, ']');
}

/* One panel at (x, y); rows span the grid and advance the layout. */
static void panel(JsonOut *j, const PanelDef *p, int id, int x, int y)
{
    begin(j, NO_KEY, '{');
    num(j, K("id"), id);
    str(j, K("title"), p->title);
    if (p->kind == PANEL_ROW) {
        str(j, K("type"), "row");
        boolean(j, K("collapsed"), false);
        grid(j, 1, GRID_WIDTH, 0, y);
        empty(j, K("panels"), '[', ']');
        end(j, '}');
        return;
    }
    str(j, K("type"), p->kind == PANEL_STAT ? "stat" : "timeseries");
    datasource(j);
    grid(j, PANEL_HEIGHT, PANEL_WIDTH, x, y);
    begin(j, K("fieldConfig"), '{');
    begin(j, K("defaults"), '{');
    str(j, K("unit"), p->unit);
    end(j, '}');
    empty(j, K("overrides"), '[', ']');
    end(j, '}');
    targets(j, p);
    end(j, '}');
}

static void panels(JsonOut *j)
{
    begin(j, K("panels"), '[');
    int x = 0, y = 0;
    for (size_t i = 0; i < sizeof PANELS / sizeof PANELS[0]; i++) {
        const PanelDef *p = &PANELS[i];
        if (p->kind == PANEL_ROW && x > 0)
            x = 0, y += PANEL_HEIGHT;
        panel(j, p, (int)i + 1, x, y);
        if (p->kind == PANEL_ROW) {
            y += 1;
        } else if ((x += PANEL_WIDTH) >= GRID_WIDTH) {
            x = 0;
            y += PANEL_HEIGHT;
        }
    }
    end(j, ']');
}

/* A template variable's common members; the caller adds its own and closes it. */
static void variable(JsonOut *j, const char *name, const char *label, const char *type)
{
    begin(j, NO_KEY, '{');
    str(j, K("name"), name);
    str(j, K("label"), label);
    str(j, K("type"), type);
    num(j, K("hide"), 0);
    empty(j, K("current"), '{', '}');
    empty(j, K("options"), '[', ']');
}

static void templating(JsonOut *j)
{
    begin(j, K("templating"), '{');
    begin(j, K("list"), '[');
    variable(j, "datasource", "Data source", "datasource");
    str(j, K("query"), "prometheus");
    num(j, K("refresh"), 1);
    end(j, '}');
    variable(j, "namespace", "Namespace", "query");
    const char *q = "label_values(up{job=\"goverse-node\"}, namespace)";
    datasource(j);
    str(j, K("definition"), q);
    begin(j, K("query"), '{');
    str(j, K("query"), q);
    str(j, K("refId"), "namespace");
    end(j, '}');
    num(j, K("refresh"), 2);
    num(j, K("sort"), 1);
    end(j, '}');
    end(j, ']');
    end(j, '}');
}

/* The dashboard's members after its uid and title, up to the closing brace: written as if
 * inside the top-level object after two members (lower_dashboard.c writes those). */
static const char *dashboard_rest_text(Arena *a)
{
    JsonOut j = {.depth = 1, .empty = false};
    strbuf_init(&j.b, a);
    (void)strbuf_reserve(&j.b, DASHBOARD_CAP - 1, DASHBOARD_CAP);
    str(&j, K("description"), "Goverse nodes, gates, shards and etcd (generated by goversec)");
    begin(&j, K("tags"), '[');
    str(&j, NO_KEY, "goverse");
    end(&j, ']');
    boolean(&j, K("editable"), true);
    num(&j, K("graphTooltip"), 1);
    num(&j, K("schemaVersion"), 39);
    num(&j, K("version"), 1);
    str(&j, K("refresh"), "30s");
    begin(&j, K("time"), '{');
    str(&j, K("from"), "now-6h");
    str(&j, K("to"), "now");
    end(&j, '}');
    str(&j, K("timezone"), "browser");
    templating(&j);
    begin(&j, K("annotations"), '{');
    empty(&j, K("list"), '[', ']');
    end(&j, '}');
    panels(&j);
    end(&j, '}');
    char *p = room(&j, 1);
    *p++ = '\n';
    *p = '\0';
    jo_done(&j, p);
    return j.b.data;
}

/* `text` as a C string literal, one source line per line of it. */
static bool write_literal(FILE *f, const char *text)
{
    fputs("const char lower_dashboard_rest[] =\n    \"", f);
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n')
            fputs(p[1] ? "\\n\"\n    \"" : "\\n", f);
        else if (c == '"' || c == '\\' || c == '?') /* '?': no trigraph can form (-std=c11) */
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\%03o", c);
        else
            fputc(c, f);
    }
    fputs("\";\n", f);
    return !ferror(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: dashboard_json OUT.c\n", stderr);
        return 2;
    }
    Arena *a = arena_new();
    const char *text = dashboard_rest_text(a);
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fputs("/* Generated by compiler/lower/gen/dashboard_json.c when goversec is built: do not edit. */\n"
          "#include \"lower/dashboard_json.h\"\n\n", f);
    bool ok = write_literal(f, text);
    if (fclose(f) != 0 || !ok) {
        perror(argv[1]);
        remove(argv[1]);
        return 1;
    }
    arena_free(a);
    return 0;
}
