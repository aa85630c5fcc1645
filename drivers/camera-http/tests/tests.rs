//! One integration-test binary: the client against the simulated camera over real HTTP.

mod snapshot;
