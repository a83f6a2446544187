"""Thin screens: compose, bindings, handlers. Database work runs in workers."""
