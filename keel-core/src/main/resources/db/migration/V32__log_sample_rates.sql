-- Sample rates of the prediction log set while serving (PUT /v1/endpoints/{name}/prediction-log), kept across restarts.
-- A rate stored here takes precedence over monitoring.prediction-log.sample-rate(s) in the configuration.

CREATE TABLE monitor_log_sample_rates (
  endpoint TEXT PRIMARY KEY,
  sample_rate DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
