"""CommerceML 2.03–3.1 readers: streaming, namespace-blind, safe (no entities, no network)."""
