/*
 * benchmarks/steady_deployhook.c through include/deployhook.hpp: one client (the API base set), one untimed
 * warm-up trigger, then COUNT sequential triggers, each checked for a queued build. Prints the seconds.
 *
 *   c++ -std=c++17 -O2 -I include Tests/cpp/steady.cpp -L packaging/build-tree/lib -ldeployhook \
 *       -Wl,-rpath,$PWD/packaging/build-tree/lib -o steady_cpp && ./steady_cpp BASE_URL HOOK COUNT
 */
#include "deployhook.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s BASE_URL HOOK COUNT\n", argv[0]);
        return 2;
    }
    const char *hook = argv[2];
    long count = std::strtol(argv[3], nullptr, 10);
    try {
        deployhook::client client;
        client.set_base_url(argv[1]);
        auto trigger_once = [&] {
            if (client.trigger(hook).status() != deployhook::build_status::queued) throw std::runtime_error("status");
        };
        trigger_once();  // warm-up: one-time initialisation, first connection
        auto start = std::chrono::steady_clock::now();
        for (long i = 0; i < count; i++) trigger_once();
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::printf("%.6f\n", took.count());
    } catch (const std::exception &error) {
        std::fprintf(stderr, "steady: %s\n", error.what());
        return 1;
    }
    return 0;
}
