//! USB fingerprint image sensors over rusb (NEXT NB-1010, UPEK TCS5B), with recording parsers and replay.
