//! People and their fingerprints: rosters, enrolled templates sealed at rest, 1:1 and 1:N checks.
