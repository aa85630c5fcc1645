//! `examd audit verify` and `examd audit export` end to end.
