/* yaml_oracle.h - libyaml as the oracle of goversec's YAML writer, in the test suite only.
 * yaml_oracle.c writes Data documents through libyaml's emitter with the settings goversec used
 * before it had its own writer (block style, indent 2, unlimited width, unicode, "\n"), and puts
 * itself in front of the writer's entry points (yamlio.h: yaml_write, yaml_write_one,
 * yaml_write_to): a program linked with it (goversec-oracle, the oracle unit tests, the fuzzer)
 * writes every document with goversec's writer *and* libyaml's and stops with a report (abort)
 * at the first document whose bytes differ. The product binary never links it. */
#ifndef GOVERSEC_YAML_ORACLE_H
#define GOVERSEC_YAML_ORACLE_H
#include <stdbool.h>
#include <stddef.h>

#include "ir/data.h"

/* libyaml's text of the stream (as yaml_write writes it); false with *err when libyaml refuses
 * (text that is not UTF-8). */
bool yaml_oracle_libyaml(Arena *a, const Data *const *docs, size_t n, const char **out, size_t *len,
                         const char **err);
/* Both writers on the same documents: true when they agree (the same bytes, or both refuse);
 * else false with *why describing the first difference. */
bool yaml_oracle_check(Arena *a, const Data *const *docs, size_t n, const char **why);
/* Documents compared so far by this process (streams count their documents). */
size_t yaml_oracle_documents(void);

#endif
