"""Test helpers: audio checks on real MP3s, the fake engine, CLI and listening helpers."""
