import LakeQuery

/// The questions lake answers out of the box: the same file as schemas/questions.json (a test
/// keeps them equal), built in so `lake query "top tracks by region"` works from any folder.
enum BuiltinQuestions {
    static let book: QuestionBook = try! QuestionBook.parse(json)

    static let json = #"""
{
  "questions": [
    {
      "pattern": "top( {n:int=10})? tracks by region( (over|in) the)?( last {days:int=7} days)?",
      "example": "top tracks by region",
      "description": "the N most played tracks in each region over the latest 7 days in the lake (or last N days)",
      "sql": [
        "WITH window_plays AS (",
        "  SELECT region, track_id, count(*) AS plays, count(DISTINCT user_id) AS listeners",
        "  FROM staged.plays",
        "  WHERE dt > (SELECT max(dt) FROM staged.plays) - {days}",
        "  GROUP BY region, track_id",
        "), names AS (",
        "  SELECT track_id, max(track_name) AS track, max(artist_name) AS artist",
        "  FROM curated.track_plays_daily GROUP BY track_id",
        ")",
        "SELECT w.region,",
        "       row_number() OVER (PARTITION BY w.region ORDER BY w.plays DESC, w.listeners DESC, w.track_id) AS rank,",
        "       coalesce(n.track, w.track_id) AS track, n.artist, w.plays, w.listeners",
        "FROM window_plays w LEFT JOIN names n ON n.track_id = w.track_id",
        "QUALIFY row_number() OVER (PARTITION BY w.region ORDER BY w.plays DESC, w.listeners DESC, w.track_id) <= {n}",
        "ORDER BY region, rank"
      ]
    },
    {
      "pattern": "top( {n:int=10})? artists by region( (over|in) the)?( last {days:int=7} days)?",
      "example": "top 5 artists by region",
      "description": "the N most played artists in each region over the latest 7 days (or last N days)",
      "sql": [
        "WITH names AS (",
        "  SELECT track_id, max(artist_name) AS artist FROM curated.track_plays_daily GROUP BY track_id",
        "), window_plays AS (",
        "  SELECT p.region, coalesce(n.artist, 'unknown') AS artist, count(*) AS plays, count(DISTINCT p.user_id) AS listeners",
        "  FROM staged.plays p LEFT JOIN names n ON n.track_id = p.track_id",
        "  WHERE p.dt > (SELECT max(dt) FROM staged.plays) - {days}",
        "  GROUP BY ALL",
        ")",
        "SELECT region,",
        "       row_number() OVER (PARTITION BY region ORDER BY plays DESC, listeners DESC, artist) AS rank,",
        "       artist, plays, listeners",
        "FROM window_plays",
        "QUALIFY row_number() OVER (PARTITION BY region ORDER BY plays DESC, listeners DESC, artist) <= {n}",
        "ORDER BY region, rank"
      ]
    },
    {
      "pattern": "top( {n:int=10})? tracks in {region:word}( (over|in) the)?( last {days:int=7} days)?",
      "example": "top 10 tracks in SE",
      "description": "the N most played tracks in one region (an ISO code such as SE) over the latest 7 days (or last N days)",
      "sql": [
        "WITH window_plays AS (",
        "  SELECT region, track_id, count(*) AS plays, count(DISTINCT user_id) AS listeners",
        "  FROM staged.plays",
        "  WHERE region = {region:upper} AND dt > (SELECT max(dt) FROM staged.plays) - {days}",
        "  GROUP BY region, track_id",
        "), names AS (",
        "  SELECT track_id, max(track_name) AS track, max(artist_name) AS artist",
        "  FROM curated.track_plays_daily GROUP BY track_id",
        ")",
        "SELECT w.region, row_number() OVER (ORDER BY w.plays DESC, w.listeners DESC, w.track_id) AS rank,",
        "       coalesce(n.track, w.track_id) AS track, n.artist, w.plays, w.listeners",
        "FROM window_plays w LEFT JOIN names n ON n.track_id = w.track_id",
        "ORDER BY rank",
        "LIMIT {n}"
      ]
    },
    {
      "pattern": "trending( {n:int=10})? tracks by region( (over|in) the)?( last {days:int=7} days)?",
      "example": "trending tracks by region",
      "description": "tracks whose plays grew most in each region: the latest 7 days (or N) against the 7 before",
      "sql": [
        "WITH last_day AS (SELECT max(dt) AS d FROM staged.plays),",
        "counts AS (",
        "  SELECT region, track_id,",
        "         count(*) FILTER (WHERE dt > (SELECT d FROM last_day) - {days}) AS plays,",
        "         count(*) FILTER (WHERE dt <= (SELECT d FROM last_day) - {days}) AS previous_plays",
        "  FROM staged.plays",
        "  WHERE dt > (SELECT d FROM last_day) - 2 * {days}",
        "  GROUP BY region, track_id",
        "), names AS (",
        "  SELECT track_id, max(track_name) AS track, max(artist_name) AS artist",
        "  FROM curated.track_plays_daily GROUP BY track_id",
        ")",
        "SELECT c.region,",
        "       row_number() OVER (PARTITION BY c.region ORDER BY c.plays - c.previous_plays DESC, c.plays DESC, c.track_id) AS rank,",
        "       coalesce(n.track, c.track_id) AS track, n.artist, c.plays, c.previous_plays,",
        "       round(100.0 * (c.plays - c.previous_plays) / greatest(c.previous_plays, 1), 1) AS growth_pct",
        "FROM counts c LEFT JOIN names n ON n.track_id = c.track_id",
        "WHERE c.plays > 0",
        "QUALIFY row_number() OVER (PARTITION BY c.region ORDER BY c.plays - c.previous_plays DESC, c.plays DESC, c.track_id) <= {n}",
        "ORDER BY region, rank"
      ]
    },
    {
      "pattern": "plays by region( (over|in) the)?( last {days:int=7} days)?",
      "example": "plays by region",
      "description": "plays, listeners and hours played per region over the latest 7 days (or last N days)",
      "sql": [
        "SELECT region, count(*) AS plays, count(DISTINCT user_id) AS listeners, round(sum(ms_played) / 3600000.0, 1) AS hours",
        "FROM staged.plays",
        "WHERE dt > (SELECT max(dt) FROM staged.plays) - {days}",
        "GROUP BY region ORDER BY plays DESC"
      ]
    }
  ]
}
"""#
}
