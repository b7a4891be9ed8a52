"""The demo plant generator (seed-demo and the first start): deterministic for a seed and an end date."""
