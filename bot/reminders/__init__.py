"""Reminders: subscriptions, catalogue deadlines, staff broadcasts, tribunal dates, and the delivery worker."""
