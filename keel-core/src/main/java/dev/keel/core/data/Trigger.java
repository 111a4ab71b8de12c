package dev.keel.core.data;

/** What started a run. */
public enum Trigger { API, CLI, SCHEDULE, DEMO, POLICY }
