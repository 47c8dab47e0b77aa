-- examples/social/schema.sql - the social platform of the book's chapter 8:
-- users, follows, posts (with a denormalized like_count), likes with one like
-- per user and post, comments both as an adjacency list (parent_id) and as a
-- closure table (comment_tree), and a fan-out-on-write feed.

CREATE TABLE users (
    user_id    bigint PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE follows (
    follower_id bigint NOT NULL REFERENCES users,
    followed_id bigint NOT NULL REFERENCES users,
    PRIMARY KEY (follower_id, followed_id)
);

CREATE TABLE posts (
    post_id    bigint PRIMARY KEY,
    author_id  bigint NOT NULL REFERENCES users,
    content    text NOT NULL,
    like_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL
);
-- Keyset pagination walks this index backwards.
CREATE INDEX posts_created_idx ON posts (created_at, post_id);

CREATE TABLE likes (
    like_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id    bigint NOT NULL REFERENCES posts,
    user_id    bigint NOT NULL REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (post_id, user_id)
);

CREATE TABLE comments (
    comment_id bigint PRIMARY KEY,
    post_id    bigint NOT NULL REFERENCES posts,
    parent_id  bigint REFERENCES comments,   -- NULL for a top-level comment
    author_id  bigint NOT NULL REFERENCES users,
    content    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_parent_idx ON comments (parent_id);

CREATE TABLE comment_tree (
    ancestor_id   bigint NOT NULL REFERENCES comments,
    descendant_id bigint NOT NULL REFERENCES comments,
    depth         integer NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);

-- The book writes PRIMARY KEY (user_id, created_at DESC, post_id); a primary
-- key takes no sort order in PostgreSQL, and a B-tree reads backwards anyway.
CREATE TABLE feed_items (
    user_id    bigint NOT NULL REFERENCES users,
    post_id    bigint NOT NULL REFERENCES posts,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, created_at, post_id)
);

INSERT INTO users (user_id, name)
SELECT u, 'user ' || u FROM generate_series(1, 20) AS u;

-- Everyone follows the next four users (wrapping around).
INSERT INTO follows (follower_id, followed_id)
SELECT u, (u + k - 1) % 20 + 1
FROM generate_series(1, 20) AS u, generate_series(1, 4) AS k;

-- 200 posts, three per minute (so created_at has ties the cursor must break).
INSERT INTO posts (post_id, author_id, content, created_at)
SELECT g, g % 20 + 1, 'post number ' || g,
       timestamptz '2024-01-15 10:00:00+00' + (g / 3) * interval '1 minute'
FROM generate_series(1, 200) AS g;

-- Backfill of the fan-out-on-write feed for those posts.
INSERT INTO feed_items (user_id, post_id, created_at)
SELECT f.follower_id, p.post_id, p.created_at
FROM posts p JOIN follows f ON f.followed_id = p.author_id;

INSERT INTO likes (post_id, user_id)
SELECT p, u FROM generate_series(1, 50) AS p, generate_series(1, 20) AS u
WHERE (p + u) % 4 = 0;

UPDATE posts SET like_count = (SELECT count(*) FROM likes l WHERE l.post_id = posts.post_id);
