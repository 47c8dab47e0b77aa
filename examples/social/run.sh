#!/usr/bin/env bash
# examples/social/run.sh - the social platform case study, end to end.
#
#   1. schema.sql: users, follows, 200 posts, likes, the backfilled feed.
#   2. Likes: a duplicate like is rejected with SQLSTATE 23505, or ignored
#      with ON CONFLICT DO NOTHING; a like plus its counter in one statement.
#   3. Comments: each new comment inserts its row (adjacency list) and its
#      closure-table rows, as the book describes; the whole thread of comment 1
#      read through WITH RECURSIVE and through the closure table must agree.
#   4. Fan-out on write: live posts insert into their followers' feeds; a feed
#      read from feed_items equals the fan-out-on-read join.
#   5. Keyset pagination WHERE (created_at, post_id) < ($1, $2) ORDER BY
#      created_at DESC, post_id DESC LIMIT 10 visits every one of the 200
#      posts exactly once, in order, while a second session inserts new posts
#      between the pages. OFFSET pagination, under the same inserts, repeats
#      posts (the book's warning), which the runner also shows.
#   6. check.sql: one like per user and post, counters, closure = adjacency,
#      feeds = fan-out on read.
#
# Usage: examples/social/run.sh (see ../lib.sh for EX_CLIENT=psql).
set -u
source "$(dirname "$0")/../lib.sh"
ex_setup social

PAGE=10
INITIAL_POSTS=200
COMMENTS=30
NEXT_POST=1000

# Comment c's parent: none when c % 6 = 0 (a new thread), else comment c / 2.
parent_of() {
    if [ $(($1 % 6)) -eq 0 ] || [ "$1" -eq 1 ]; then echo NULL; else echo $(($1 / 2)); fi
}

# comment_sql C - the writes of one new comment: its row and its closure rows
# (one row per ancestor of the parent, one level deeper, plus itself at 0).
comment_sql() {
    local c=$1 parent
    parent=$(parent_of "$c")
    echo "INSERT INTO comments (comment_id, post_id, parent_id, author_id, content)"
    echo "VALUES ($c, 1, $parent, $((c % 20 + 1)), 'comment $c');"
    echo "INSERT INTO comment_tree (ancestor_id, descendant_id, depth)"
    if [ "$parent" != NULL ]; then
        echo "SELECT ancestor_id, $c, depth + 1 FROM comment_tree WHERE descendant_id = $parent"
        echo "UNION ALL"
    fi
    echo "SELECT $c, $c, 0;"
}

# thread_of ROOT - "comment|depth" for ROOT and all its descendants, computed
# here from parent_of alone, sorted by depth then id.
thread_of() {
    local -A depth
    local c p
    depth[$1]=0
    for ((c = $1 + 1; c <= COMMENTS; c++)); do
        p=$(parent_of "$c")
        [ "$p" != NULL ] && [ -n "${depth[$p]:-}" ] && depth[$c]=$((depth[$p] + 1))
    done
    for c in "${!depth[@]}"; do echo "$c|${depth[$c]}"; done | sort -t'|' -k2,2n -k1,1n
}

# post_sql ID AUTHOR - a live post and its fan-out to the followers' feeds.
post_sql() {
    cat <<SQL
BEGIN;
INSERT INTO posts (post_id, author_id, content, created_at)
VALUES ($1, $2, 'live post $1', now());
INSERT INTO feed_items (user_id, post_id, created_at)
SELECT f.follower_id, p.post_id, p.created_at
FROM posts p JOIN follows f ON f.followed_id = p.author_id
WHERE p.post_id = $1;
COMMIT;
SQL
}

# page_after CREATED_AT POST_ID - the next page after the cursor, the
# cursor's values bound client-side.
page_after_sql() {
    cat <<SQL
SELECT created_at, post_id FROM posts
WHERE (created_at, post_id) < ('$1', $2)
ORDER BY created_at DESC, post_id DESC
LIMIT $PAGE;
SQL
}

ex_step schema "$EX_DIR/schema.sql"

# --- likes ---
likes_before=$(ex_query "SELECT count(*) FROM likes")
out=$(ex_client -v VERBOSITY=verbose -c "INSERT INTO likes (post_id, user_id) VALUES (4, 20)" 2>&1)
if grep -q '23505' <<<"$out"; then
    ex_ok duplicate-like-rejected-23505
else
    ex_fail duplicate-like-rejected-23505 "expected SQLSTATE 23505, got: $out"
fi
out=$(ex_query "INSERT INTO likes (post_id, user_id) VALUES (4, 20) ON CONFLICT DO NOTHING")
if [ $? -eq 0 ]; then
    ex_expect_eq duplicate-like-ignored-on-conflict "$likes_before" \
        "$(ex_query "SELECT count(*) FROM likes")"
else
    ex_fail duplicate-like-ignored-on-conflict "$out"
fi
# A like and its counter in one statement: the counter moves only if the
# like was new. The first is a duplicate, the second a new like.
like_sql() {
    cat <<SQL
WITH new_like AS (
    INSERT INTO likes (post_id, user_id) VALUES ($1, $2)
    ON CONFLICT (post_id, user_id) DO NOTHING
    RETURNING post_id
)
UPDATE posts SET like_count = like_count + 1
WHERE post_id IN (SELECT post_id FROM new_like);
SQL
}
count_before=$(ex_query "SELECT like_count FROM posts WHERE post_id = 4")
out=$(ex_query "$(like_sql 4 20) $(like_sql 4 1)")
if [ $? -eq 0 ]; then
    ex_expect_eq like-with-counter "$((count_before + 1))" \
        "$(ex_query "SELECT like_count FROM posts WHERE post_id = 4")"
else
    ex_fail like-with-counter "$out"
fi

# --- comments ---
for ((c = 1; c <= COMMENTS; c++)); do comment_sql "$c"; done >"$EX_WORK/comments.sql"
ex_step comments "$EX_WORK/comments.sql"
expected=$(thread_of 1)
out=$(ex_query "WITH RECURSIVE thread (comment_id, depth) AS (
                    SELECT comment_id, 0 FROM comments WHERE comment_id = 1
                    UNION ALL
                    SELECT c.comment_id, t.depth + 1
                    FROM comments c JOIN thread t ON c.parent_id = t.comment_id
                )
                SELECT comment_id, depth FROM thread ORDER BY depth, comment_id")
ex_expect_eq thread-by-recursive-cte "$expected" "$out"
out=$(ex_query "SELECT c.comment_id, ct.depth
                FROM comments c JOIN comment_tree ct ON c.comment_id = ct.descendant_id
                WHERE ct.ancestor_id = 1
                ORDER BY ct.depth, c.comment_id")
ex_expect_eq thread-by-closure-table "$expected" "$out"

# --- keyset pagination while another session posts ---
initial=$(ex_query "SELECT created_at, post_id FROM posts ORDER BY created_at DESC, post_id DESC")
if ! ex_sess_open reader; then
    ex_fail keyset-pagination-with-concurrent-posts "cannot open the reader session: $EX_OUT"
else
    writer=writer
    if ex_sess_open writer; then
        ex_ok second-session-posts-concurrently
    else
        ex_fail second-session-posts-concurrently \
            "second process blocked while the reader has the database open: $EX_OUT" \
            "the reader's own session posts between the pages instead"
        writer=reader
    fi
    visited= errors= pages=0
    ex_sess_run reader "SELECT created_at, post_id FROM posts
ORDER BY created_at DESC, post_id DESC LIMIT $PAGE;"
    while [ -z "$errors" ] && [ -n "$EX_OUT" ] && [ $pages -lt 100 ]; do
        ex_has_error "$EX_OUT" && { errors+="page: $EX_OUT"$'\n'; break; }
        page=$EX_OUT
        visited+="$page"$'\n'
        pages=$((pages + 1))
        for k in 1 2; do
            ex_sess_run "$writer" "$(post_sql $NEXT_POST $((NEXT_POST % 20 + 1)))"
            ex_has_error "$EX_OUT" && errors+="post: $EX_OUT"$'\n'
            NEXT_POST=$((NEXT_POST + 1))
        done
        last=$(tail -1 <<<"$page")
        ex_sess_run reader "$(page_after_sql "${last%|*}" "${last##*|}")"
    done
    [ "$writer" = writer ] && ex_sess_close writer
    ex_sess_close reader
    if [ -n "$errors" ]; then
        ex_fail keyset-pagination-with-concurrent-posts "$errors"
    else
        ex_expect_eq keyset-pagination-with-concurrent-posts "$initial" "${visited%$'\n'}"
        echo "social: $pages pages, $((NEXT_POST - 1000)) posts inserted meanwhile"
    fi
fi

# --- OFFSET pagination under the same kind of inserts repeats rows ---
seen=
for ((page = 0; page < 5; page++)); do
    seen+="$(ex_query "SELECT post_id FROM posts ORDER BY created_at DESC, post_id DESC
                       LIMIT $PAGE OFFSET $((page * PAGE))")"$'\n'
    ex_query "$(post_sql $NEXT_POST $((NEXT_POST % 20 + 1)))" >/dev/null
    NEXT_POST=$((NEXT_POST + 1))
done
dups=$(grep -v '^$' <<<"$seen" | sort | uniq -d | wc -l)
if [ "$dups" -gt 0 ]; then
    ex_ok offset-pagination-repeats-rows
else
    ex_fail offset-pagination-repeats-rows "no post was shown twice: $(echo $seen)"
fi

# --- feeds ---
fan_out=$(ex_query "SELECT post_id FROM feed_items WHERE user_id = 3
                    ORDER BY created_at DESC, post_id DESC LIMIT 10")
on_read=$(ex_query "SELECT p.post_id FROM posts p JOIN follows f ON p.author_id = f.followed_id
                    WHERE f.follower_id = 3 ORDER BY p.created_at DESC, p.post_id DESC LIMIT 10")
ex_expect_eq feed-read-matches-join "$on_read" "$fan_out"

ex_check_file "$EX_DIR/check.sql"
ex_done
