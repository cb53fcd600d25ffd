"""The only place that speaks SQL: tables, queries, the unit of work and the migrations."""
