/* Typed wrappers for libcurl's variadic calls, which Swift cannot call directly. */
#ifndef DEPLOYHOOK_CCURL_SHIM_H
#define DEPLOYHOOK_CCURL_SHIM_H

#include <curl/curl.h>

/** A write or header callback: (data, size, count, userdata) -> bytes taken. */
typedef size_t (*dh_curl_data_callback)(char *, size_t, size_t, void *);

static inline CURLcode dh_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode dh_curl_set_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode dh_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode dh_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode dh_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode dh_curl_set_callback(CURL *h, CURLoption o, dh_curl_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode dh_curl_get_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
/** No cache of CA certificates across connections (libcurl >= 7.87 keeps one for a day by default), so a
 *  changed CA file counts from the next connection on; CURLE_UNKNOWN_OPTION from an older libcurl. */
static inline CURLcode dh_curl_no_ca_cache(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075700
    return curl_easy_setopt(h, CURLOPT_CA_CACHE_TIMEOUT, 0L);
#else
    (void)h;
    return CURLE_UNKNOWN_OPTION;
#endif
}
/** Removing a transfer that is still resolving a name does not wait for the resolver thread (libcurl
 *  >= 7.87), so an interrupted call ends at once; CURLE_UNKNOWN_OPTION from an older libcurl. */
static inline CURLcode dh_curl_quick_exit(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075700
    return curl_easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);
#else
    (void)h;
    return CURLE_UNKNOWN_OPTION;
#endif
}
static inline CURLMcode dh_curl_multi_set_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

#endif
