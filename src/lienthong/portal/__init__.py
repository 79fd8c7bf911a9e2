"""The public portal (cổng thông tin điện tử; issue #10): announcements, public documents
and search for anonymous visitors, with a small editorial workflow for staff."""
