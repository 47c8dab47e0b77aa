-- examples/social/check.sql - invariants of the social case study.
-- Each "-- check: NAME" block is one query returning one boolean.

-- check: one-like-per-user-and-post
SELECT NOT EXISTS (SELECT 1 FROM likes GROUP BY post_id, user_id HAVING count(*) > 1);

-- check: like-count-matches-likes
-- The denormalized counter agrees with the likes it counts.
SELECT NOT EXISTS (
    SELECT 1 FROM posts p
    WHERE p.like_count <> (SELECT count(*) FROM likes l WHERE l.post_id = p.post_id)
);

-- check: closure-table-equals-adjacency-list
-- Every (ancestor, descendant, depth) the recursive walk of parent_id finds
-- is in comment_tree, and nothing else is.
SELECT NOT EXISTS (
    WITH RECURSIVE tree (ancestor_id, descendant_id, depth) AS (
        SELECT comment_id, comment_id, 0 FROM comments
        UNION ALL
        SELECT t.ancestor_id, c.comment_id, t.depth + 1
        FROM tree t JOIN comments c ON c.parent_id = t.descendant_id
    )
    (SELECT ancestor_id, descendant_id, depth FROM tree
     EXCEPT
     SELECT ancestor_id, descendant_id, depth FROM comment_tree)
    UNION ALL
    (SELECT ancestor_id, descendant_id, depth FROM comment_tree
     EXCEPT
     SELECT ancestor_id, descendant_id, depth FROM tree)
);

-- check: feed-equals-fan-out-on-read
-- The precomputed feeds hold exactly the posts the read-time join finds.
SELECT NOT EXISTS (
    (SELECT user_id, post_id, created_at FROM feed_items
     EXCEPT
     SELECT f.follower_id, p.post_id, p.created_at
     FROM posts p JOIN follows f ON p.author_id = f.followed_id)
    UNION ALL
    (SELECT f.follower_id, p.post_id, p.created_at
     FROM posts p JOIN follows f ON p.author_id = f.followed_id
     EXCEPT
     SELECT user_id, post_id, created_at FROM feed_items)
);
