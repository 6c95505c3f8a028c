"""Tests for infra/: Dockerfile, compose, nginx, Kubernetes manifests and CI files."""
