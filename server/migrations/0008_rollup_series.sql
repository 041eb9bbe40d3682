-- The forecasts (server::forecast) read each (area, sector) pair's months over five years: a key
-- in that order makes each pair one short range instead of a scan of the area's every sector.
CREATE INDEX rollup_month_series ON rollup_month (area, sector, month);
