"""Oversight (监督): disclosure and operation records (附7) with their steps and 电子监察 alarms, complaints
(投诉受理), inspections, requests for information (依申请公开), dashboards (进度与统计) and the audit trail."""
