//! Interop with third-party Modbus peers (skipped when absent, unless EXAMD_PEERS_REQUIRED=1).
