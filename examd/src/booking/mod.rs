//! Online self-booking and the same-day verifiable draw.
