//! Subject 2 and Subject 3 electronic judging from telemetry, course map and rule catalogue. Pure.
