"""Event bookings: capacity and waitlist, confirmation mail with calendar invites, the events catalogue and its CLI."""
