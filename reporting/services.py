"""Public-side writes: drafts of a report, the follow-up session."""
