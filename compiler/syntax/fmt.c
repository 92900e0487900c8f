/* fmt.c - canonical formatting of a Unit (goversec fmt). Placeholder until the printer lands. */
#include "syntax/syntax.h"

const char *syntax_format(Arena *arena, const Unit *unit)
{
    (void)unit;
    return arena_strdup(arena, "");
}
