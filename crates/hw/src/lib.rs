//! Hardware seams for examd.
