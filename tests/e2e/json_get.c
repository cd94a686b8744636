/*
 * json_get: prints one value of a JSON document, for the end-to-end
 * scripts (tests/e2e/explore.sh reads racedet explore's reports with it).
 *
 *   json_get FILE PATH
 *
 * PATH is dot-separated: an object member's name, an array index, or
 * [KEY=VALUE] for the first array element whose member KEY is the string
 * VALUE; `#` as the last step prints the length of an array or object.
 * Strings are printed as they are, numbers and true/false/null as JSON,
 * objects and arrays as compact JSON. Exit status: 0 printed, 1 no such
 * value, 2 usage error or unreadable file.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *step(json_t *v, const char *name)
{
    if (name[0] == '[') {
        const char *eq = strchr(name, '=');
        size_t klen = eq ? (size_t)(eq - name - 1) : 0, i;
        size_t vlen = eq ? strlen(eq + 1) : 0;
        json_t *e;
        if (!json_is_array(v) || !eq || vlen == 0 || eq[vlen] != ']')
            return NULL;
        json_array_foreach(v, i, e) {
            char key[256];
            const char *s;
            if (klen >= sizeof key)
                return NULL;
            memcpy(key, name + 1, klen);
            key[klen] = '\0';
            s = json_string_value(json_object_get(e, key));
            if (s && strlen(s) == vlen - 1 && strncmp(s, eq + 1, vlen - 1) == 0)
                return e;
        }
        return NULL;
    }
    if (json_is_array(v)) {
        char *end;
        long i = strtol(name, &end, 10);
        return *name && !*end && i >= 0 ? json_array_get(v, (size_t)i) : NULL;
    }
    return json_object_get(v, name);
}

int main(int argc, char **argv)
{
    json_error_t err;
    json_t *doc, *v;
    char *path, *tok, *save = NULL;
    if (argc != 3) {
        fprintf(stderr, "usage: json_get FILE PATH\n");
        return 2;
    }
    doc = json_load_file(argv[1], 0, &err);
    if (!doc) {
        fprintf(stderr, "json_get: %s: %s\n", argv[1], err.text);
        return 2;
    }
    v = doc;
    path = strdup(argv[2]);
    for (tok = strtok_r(path, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
        if (strcmp(tok, "#") == 0) {
            printf("%zu\n", json_is_array(v) ? json_array_size(v) : json_object_size(v));
            return 0;
        }
        v = step(v, tok);
    }
    if (!v)
        return 1;
    if (json_is_string(v)) {
        printf("%s\n", json_string_value(v));
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%s\n", s);
        free(s);
    }
    free(path);
    json_decref(doc);
    return 0;
}
