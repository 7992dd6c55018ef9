#!/usr/bin/env python3
"""Server CPU per request, by category, from `perf script -F ip,sym` output.

    profile_categories.py FREQ "label=perf-script-file=requests" ...

Each sample is put in the category of the frame nearest its leaf that
matches one of the SPECIFIC patterns (our code and what it calls), failing
that the nearest GENERIC one (the HTTP stack around it). A sample is
1/FREQ s of CPU, so samples x (1e6 / FREQ) / requests is microseconds of
server CPU per request. Prints one Markdown table, a column per run.
"""

import collections
import re
import sys

SPECIFIC = [
    ("audit line: wait for the write, wake", [r"GroupCommit>::wait_written", r"GroupCommit::wait_written", r"tokio::sync::watch", r"tokio::sync::notify", r"yield_now"]),
    ("audit line: write(2)", [r"GroupCommit::write_pending", r"<&std::fs::File as std::io::Write>"]),
    ("audit line: format", [r"tracing_core::event::Event::dispatch", r"tracing_subscriber::", r"GroupCommit::log", r"GroupCommit::append"]),
    ("mint (core library)", [r"sinch_auth::ticket::mint", r"sinch_auth::token::.*mint", r"TicketBuilder", r"RegistrationTokenBuilder"]),
    ("caller check (API key)", [r"credentials::Authenticated", r"ApiKeyAuthenticator", r"bearer_token"]),
    ("body read, JSON parse", [r"sinch_auth_service::extract::", r"JsonBody", r"http_body_util", r"serde_json::de", r"Json<T>::from_bytes", r"serde_core::de::Deserialize"]),
    ("JSON response", [r"Json<T> as axum_core::response::into_response::IntoResponse", r"serde_json::ser", r"serde_core::ser::Serialize"]),
    ("metrics", [r"sinch_auth_service::metrics::", r"prometheus_client"]),
    ("issue: checks, expiry, strings", [r"sinch_auth_service::issue::"]),
    ("request timeout (timer)", [r"tokio::runtime::time::(?!Driver::park)", r"tokio::time::sleep", r"drop_in_place<tokio::time::timeout"]),
    ("middleware: client IP, labels", [r"api_middleware", r"client_ip::"]),
]
GENERIC = [
    ("response write (writev, loopback TCP)", [r"poll_flush", r"writev", r"Buffered<T,B>::poll_write"]),
    ("request read (recv), HTTP parse", [r"poll_read", r"recv", r"Buffered<T,B>::parse", r"Http1Transaction>::parse"]),
    ("router, layers, headers, allocation", [r"axum::", r"axum_core::", r"tower::", r"tower_http::", r"http::"]),
    ("hyper connection state", [r"hyper::", r"hyper_util::"]),
    ("scheduler, epoll, wake-ups", [r"tokio::", r"epoll", r"futex", r"schedule"]),
]


def compiled(categories):
    return [(name, [re.compile(p) for p in patterns]) for name, patterns in categories]


def nearest(frames, categories):
    for frame in frames:
        for name, patterns in categories:
            if any(p.search(frame) for p in patterns):
                return name
    return None


def count(path):
    specific, generic = compiled(SPECIFIC), compiled(GENERIC)
    counts = collections.Counter()
    frames = []

    def sample():
        if frames:
            counts[nearest(frames, specific) or nearest(frames, generic) or "other"] += 1
            frames.clear()

    with open(path, errors="replace") as lines:
        for line in lines:
            if line[:1] in "\t ":
                parts = line.strip().split(None, 1)
                if len(parts) == 2:
                    frames.append(parts[1])
            else:
                sample()
    sample()
    return counts


def main():
    freq = float(sys.argv[1])
    runs = []
    for arg in sys.argv[2:]:
        label, path, requests = arg.rsplit("=", 2)
        runs.append((label, count(path), int(requests)))
    us = 1e6 / freq
    names = [n for n, _ in SPECIFIC + GENERIC] + ["other"]
    print("| µs of server CPU per request | " + " | ".join(label for label, _, _ in runs) + " |")
    print("| --- |" + " ---: |" * len(runs))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{c[name] * us / r:.2f}" for _, c, r in runs) + " |")
    print("| **total** | " + " | ".join(f"**{sum(c.values()) * us / r:.2f}**" for _, c, r in runs) + " |")
    print("| samples / requests | " + " | ".join(f"{sum(c.values())} / {r}" for _, c, r in runs) + " |")


if __name__ == "__main__":
    main()
