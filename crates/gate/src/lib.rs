//! The dual-door interlock state machine and the gate entry policy. Pure.
