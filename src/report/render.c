/* render: see render.h. */
#include "render.h"

#include <string.h>

#include "render_dot.h"
#include "render_html.h"
#include "render_json.h"
#include "render_sarif.h"
#include "render_text.h"

static const struct rd_renderer renderers[] = {
    {"text", false, rd_render_text, NULL},
    {"json", true, rd_render_json, NULL},
    {"sarif", true, rd_render_sarif, NULL},
    {"dot", true, rd_render_dot, NULL},
    {"svg", true, rd_render_svg, rd_svg_unavailable},
    {"html", true, rd_render_html, NULL},
};

const struct rd_renderer *rd_renderer_find(const char *name)
{
    size_t i;
    for (i = 0; name && i < sizeof renderers / sizeof renderers[0]; i++)
        if (strcmp(renderers[i].name, name) == 0)
            return &renderers[i];
    return NULL;
}

void rd_renderer_names(char *buf, size_t len)
{
    size_t i, used = 0;
    if (len)
        buf[0] = '\0';
    for (i = 0; i < sizeof renderers / sizeof renderers[0] && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", renderers[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}
