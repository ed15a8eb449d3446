-- SPDX-License-Identifier: MIT
-- Where a quiz sits in its group's conversation: the seq of its quiz_started and quiz_finished
-- events, so a client that opens the group (rather than replaying its log) can draw the quiz's
-- cards among the messages (GET /groups/{id}/quizzes carries started_seq and finished_seq).
ALTER TABLE quizzes ADD COLUMN started_seq INTEGER;
ALTER TABLE quizzes ADD COLUMN finished_seq INTEGER;

-- Quizzes run before this migration: found once in their group's log.
UPDATE quizzes SET
  started_seq = (SELECT seq FROM events e WHERE e.group_id = quizzes.group_id AND e.kind = 'quiz_started'
                   AND json_extract(e.data, '$.quiz_id') = quizzes.id),
  finished_seq = (SELECT seq FROM events e WHERE e.group_id = quizzes.group_id AND e.kind = 'quiz_finished'
                    AND json_extract(e.data, '$.quiz_id') = quizzes.id)
WHERE state <> 'draft';
