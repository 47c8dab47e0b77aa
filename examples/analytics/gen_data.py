#!/usr/bin/env python3
"""examples/analytics/gen_data.py - the analytics case study's data and its
expected answers, computed here independently of any SQL engine.

Usage: gen_data.py SEED EVENTS OUTDIR
Writes, into OUTDIR:
  users.sql     the initial dim_user rows (version 1 of every user)
  scd.sql       the type-2 changes: per change, one transaction that closes the
                current row and opens a new one
  staging.sql   the raw page-view events (natural user key and the date)
  expected_history.txt  "page|count" for the book's query, with each view
                attributed to the country the user had on the day of the view
  expected_current.txt  the same with today's country (a type-1 view), which
                must differ, or the case study would not show anything
  expected_dau.txt      "date_key|users": distinct US users on mobile per day
                in January (country as on that day), for the rollup table
"""
import datetime
import random
import sys

PAGES = {1: "Home", 2: "Pricing", 3: "Docs", 4: "Blog", 5: "Signup", 6: "Login",
         7: "Dashboard", 8: "Settings"}
DEVICE_TYPE = {1: "desktop", 2: "desktop", 3: "mobile", 4: "mobile", 5: "tablet", 6: "tablet"}
COUNTRIES = ["US", "CA", "GB", "DE"]
USERS = 30
FIRST_DAY = datetime.date(2024, 1, 1)
DAYS = 60


def main():
    seed, events, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    users = {u: {"name": "user %d" % u, "country": rng.choice(COUNTRIES),
                 "tier": rng.choice(["free", "premium"])} for u in range(1, USERS + 1)}
    # versions[u] = list of (valid_from, country); the first version is old.
    versions = {u: [(datetime.date(2023, 6, 1), users[u]["country"])] for u in users}

    with open(outdir + "/users.sql", "w") as f:
        f.write("INSERT INTO dim_user (user_id, name, country, tier, valid_from, valid_to, is_current) VALUES\n")
        f.write(",\n".join("    (%d, '%s', '%s', '%s', '2023-06-01', NULL, true)"
                           % (u, v["name"], v["country"], v["tier"]) for u, v in users.items()))
        f.write(";\n")

    # Changes: users 1..4 move once in January; user 5 moves in January and
    # again in February; user 6 moves on 2024-02-01 (the month boundary);
    # user 7 only changes tier.
    changes = []
    for u in (1, 2, 3, 4, 5):
        changes.append((u, FIRST_DAY + datetime.timedelta(days=rng.randint(5, 25)), None, None))
    changes.append((5, datetime.date(2024, 2, 10), None, None))
    changes.append((6, datetime.date(2024, 2, 1), None, None))
    changes.append((7, datetime.date(2024, 1, 20), users[7]["country"], "premium"))
    with open(outdir + "/scd.sql", "w") as f:
        for u, day, country, tier in changes:
            old = versions[u][-1][1]
            if country is None:
                # Make sure some US users leave and some others arrive.
                country = "CA" if old == "US" else "US"
            tier = tier or users[u]["tier"]
            users[u]["tier"] = tier
            versions[u].append((day, country))
            f.write("BEGIN;\n")
            f.write("UPDATE dim_user SET valid_to = '%s', is_current = false\n"
                    "WHERE user_id = %d AND is_current;\n" % (day, u))
            f.write("INSERT INTO dim_user (user_id, name, country, tier, valid_from, valid_to, is_current)\n"
                    "VALUES (%d, '%s', '%s', '%s', '%s', NULL, true);\n"
                    % (u, users[u]["name"], country, tier, day))
            f.write("COMMIT;\n")

    def country_on(u, day):
        current = None
        for valid_from, country in versions[u]:
            if valid_from <= day:
                current = country
        return current

    rows = []
    history, current, dau = {}, {}, {}
    for view_id in range(1, events + 1):
        # Users 1..7 (the ones that change) are the busiest, so it matters.
        u = rng.randint(1, 7) if rng.random() < 0.5 else rng.randint(1, USERS)
        day = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))
        page = rng.choice(list(PAGES))
        device = rng.choice(list(DEVICE_TYPE))
        session = "s-%d-%d" % (u, rng.randrange(1000))
        load_ms = rng.randint(40, 3000)
        bounce = rng.random() < 0.3
        rows.append("(%d, %d, '%s', %d, %d, '%s', %d, %s)"
                    % (view_id, u, day, page, device, session, load_ms, "true" if bounce else "false"))
        if day.year == 2024 and day.month == 1 and DEVICE_TYPE[device] == "mobile":
            if country_on(u, day) == "US":
                history[PAGES[page]] = history.get(PAGES[page], 0) + 1
                dau.setdefault(day.strftime("%Y%m%d"), set()).add(u)
            if versions[u][-1][1] == "US":
                current[PAGES[page]] = current.get(PAGES[page], 0) + 1

    with open(outdir + "/staging.sql", "w") as f:
        for start in range(0, len(rows), 500):
            f.write("INSERT INTO staging_page_views (view_id, user_id, viewed_on, page_key, "
                    "device_key, session_id, load_time_ms, is_bounce) VALUES\n")
            f.write(",\n".join(rows[start:start + 500]))
            f.write(";\n")

    with open(outdir + "/expected_dau.txt", "w") as f:
        for day in sorted(dau):
            f.write("%s|%d\n" % (day, len(dau[day])))

    for name, counts in (("expected_history.txt", history), ("expected_current.txt", current)):
        with open(outdir + "/" + name, "w") as f:
            for page in sorted(counts):
                f.write("%s|%d\n" % (page, counts[page]))


if __name__ == "__main__":
    main()
