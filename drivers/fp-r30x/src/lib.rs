//! Synochip AS608 / R30x fingerprint module UART protocol: codec, async client, device simulator.
