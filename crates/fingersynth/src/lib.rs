//! Synthetic fingerprints in the spirit of SFinGe: master prints and impressions, deterministic from a seed.
