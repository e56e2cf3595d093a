/*
 * Steady state through libcurl directly, the reference for steady_deployhook.c: one easy handle reused
 * for every request (so one kept-alive connection), an empty-bodied POST with "Accept: application/json",
 * the body collected by a write callback, and each answer checked (HTTP 200, a success envelope).
 * One untimed warm-up request, then COUNT timed ones. Prints the seconds they took (CLOCK_MONOTONIC).
 *
 * Usage: steady_libcurl URL COUNT      (built and run by benchmarks/run.py)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

struct body {
    char data[65536];
    size_t length;
};

static size_t collect(char *chunk, size_t size, size_t n, void *user_data) {
    struct body *body = user_data;
    size_t bytes = size * n;
    if (bytes > sizeof body->data - 1 - body->length) {
        return 0; /* too long: fails the transfer */
    }
    memcpy(body->data + body->length, chunk, bytes);
    body->length += bytes;
    return bytes;
}

static int post_once(CURL *curl, struct body *body) {
    body->length = 0;
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    body->data[body->length] = '\0';
    if (code != CURLE_OK || status != 200 || strstr(body->data, "\"success\":true") == NULL) {
        fprintf(stderr, "steady_libcurl: request failed: %s, HTTP %ld\n", curl_easy_strerror(code), status);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s URL COUNT\n", argv[0]);
        return 2;
    }
    long count = strtol(argv[2], NULL, 10);
    static struct body body;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    if (curl == NULL || headers == NULL) {
        return 1;
    }
    curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (!post_once(curl, &body)) { /* warm-up: the first connection */
        return 1;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++) {
        if (!post_once(curl, &body)) {
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    printf("%.6f\n", (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
