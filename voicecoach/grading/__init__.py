"""Cohort grading: many trainees' sessions or recordings, graded in parallel, resumably."""
