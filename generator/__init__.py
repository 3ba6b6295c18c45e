"""Specs in, Salesforce metadata out: load, validate, compile, render, package, check."""
