//! Fingerprint minutiae extraction and matching, ISO/IEC 19794-2 templates, and the fpeval tool.
