"""Shared pytest configuration."""

import os

os.environ.setdefault("MUJOCO_GL", "disable")
