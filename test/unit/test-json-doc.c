/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/model/json-doc.h: the one reader of the JSON archy's helpers write to each other. */
#include <errno.h>
#include <string.h>

#include "json-doc.h"
#include "strbuf.h"
#include "testlib.h"

static int load(const char *text, yaml_document_t *doc) {
        return json_doc_load(text, strlen(text), doc);
}

START_TEST(members_by_type) {
        yaml_document_t doc;
        ck_assert_int_eq(load("{\"s\": \"text\", \"n\": 42, \"b\": true, \"z\": null, \"q\": \"42\"}", &doc), 0);
        ck_assert_str_eq(json_string_member(&doc, NULL, "s"), "text");
        /* A number, a boolean or null is not a string; a quoted number is one. */
        ck_assert_ptr_null(json_string_member(&doc, NULL, "n"));
        ck_assert_ptr_null(json_string_member(&doc, NULL, "b"));
        ck_assert_ptr_null(json_string_member(&doc, NULL, "z"));
        ck_assert_str_eq(json_string_member(&doc, NULL, "q"), "42");
        ck_assert_ptr_null(json_string_member(&doc, NULL, "absent"));
        unsigned long long v = 0;
        ck_assert(json_unsigned_member(&doc, NULL, "n", 100, &v));
        ck_assert_uint_eq(v, 42);
        ck_assert(!json_unsigned_member(&doc, NULL, "n", 41, &v));  /* over max */
        ck_assert(!json_unsigned_member(&doc, NULL, "q", 100, &v)); /* a string, not a number */
        ck_assert(!json_unsigned_member(&doc, NULL, "b", 100, &v));
        yaml_document_delete(&doc);
}
END_TEST

START_TEST(nested_paths) {
        yaml_document_t doc;
        ck_assert_int_eq(load("{\"store\": {\"graphRoot\": \"/var/lib/containers/storage\", \"n\": {\"m\": 1}}}", &doc),
                         0);
        ck_assert_str_eq(json_scalar_at(&doc, "store.graphRoot"), "/var/lib/containers/storage");
        ck_assert_str_eq(json_scalar_at(&doc, "store.n.m"), "1");
        ck_assert_ptr_null(json_scalar_at(&doc, "store.n")); /* a mapping, not a scalar */
        ck_assert_ptr_null(json_scalar_at(&doc, "store.absent"));
        ck_assert_ptr_null(json_scalar_at(&doc, "store.graphRoot.deeper"));
        /* A key longer than the reader's buffer is no match, not an overflow. */
        char path[200];
        memset(path, 'k', sizeof path - 1);
        path[sizeof path - 1] = '\0';
        ck_assert_ptr_null(json_scalar_at(&doc, path));
        yaml_node_t *store = json_member(&doc, NULL, "store");
        ck_assert_ptr_nonnull(store);
        ck_assert_str_eq(json_string_member(&doc, store, "graphRoot"), "/var/lib/containers/storage");
        /* A member of a scalar is none. */
        ck_assert_ptr_null(json_member(&doc, json_member(&doc, store, "graphRoot"), "x"));
        yaml_document_delete(&doc);
}
END_TEST

START_TEST(written_strings_read_back) {
        /* What strbuf_json_string() writes reads back byte for byte, the line and paragraph
         * separators included (raw, a YAML reader strips the blanks around them; fuzz-probe-record found it). */
        static const char *const texts[] = {"plain",
                                            "quote \" and \\ back",
                                            "tab\tnewline\n",
                                            "line \xe2\x80\xa8 sep",
                                            "para  \xe2\x80\xa9  sep",
                                            "caf\xc3\xa9 \xe2\x82\xac"};
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                struct strbuf b = STRBUF_INIT;
                strbuf_puts(&b, "{\"s\": ");
                strbuf_json_string(&b, texts[i], strlen(texts[i]));
                strbuf_puts(&b, "}");
                ck_assert(!strbuf_failed(&b));
                yaml_document_t doc;
                ck_assert_int_eq(load(b.data, &doc), 0);
                ck_assert_str_eq(json_string_member(&doc, NULL, "s"), texts[i]);
                yaml_document_delete(&doc);
                strbuf_free(&b);
        }
}
END_TEST

START_TEST(refusals) {
        yaml_document_t doc;
        ck_assert_int_eq(load("", &doc), -EINVAL);
        ck_assert_int_eq(load("{\"a\": ", &doc), -EINVAL);
        ck_assert_int_eq(load("[1, 2", &doc), -EINVAL);
        /* An array root loads; it has no members. */
        ck_assert_int_eq(load("[1, 2]", &doc), 0);
        ck_assert_ptr_null(json_member(&doc, NULL, "a"));
        yaml_document_delete(&doc);
}
END_TEST

Suite *json_doc_suite(void) {
        Suite *s = suite_create("json-doc");
        TCase *tc = tcase_create("json-doc");
        tcase_add_test(tc, members_by_type);
        tcase_add_test(tc, nested_paths);
        tcase_add_test(tc, refusals);
        tcase_add_test(tc, written_strings_read_back);
        suite_add_tcase(s, tc);
        return s;
}
