"""Business-time arithmetic: textbook deadlines, Chinese holidays and make-up days, DST, 24x7.

Pure: no database. Expected datetimes are written out by hand from the 2026 calendar.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shopdesk.core.business_time import (
    ALWAYS_OPEN,
    WorkingCalendar,
    add_business_minutes,
    business_minutes_between,
    china_days,
    is_open,
    next_open,
    weekly_from_spec,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_SIX = ((time(9), time(18)),)
WEEKDAYS_9_18 = dict.fromkeys(range(5), NINE_TO_SIX)

# What holidays 0.109 gives for mainland China in 2026 (the State Council notice of Nov 2025).
CHINA_2026_HOLIDAYS = {
    date(2026, 1, 1), date(2026, 1, 2),
    date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
    date(2026, 2, 20), date(2026, 2, 23),
    date(2026, 4, 5), date(2026, 4, 6),
    date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 4), date(2026, 5, 5),
    date(2026, 6, 19),
    date(2026, 9, 25),
    date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3),
    date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7),
}  # fmt: skip
CHINA_2026_WORKDAYS = {
    date(2026, 1, 4),  # Sun, for New Year
    date(2026, 2, 14),  # Sat, for Spring Festival
    date(2026, 2, 28),  # Sat, for Spring Festival
    date(2026, 5, 9),  # Sat, for Labour Day
    date(2026, 9, 20),  # Sun, for National Day
    date(2026, 10, 10),  # Sat, for National Day
}


def _sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def _china_2026() -> WorkingCalendar:
    days_off, days_on = china_days([2026])
    return WorkingCalendar(tz=SHANGHAI, weekly=WEEKDAYS_9_18, holidays=days_off, workdays=days_on)


def test_china_days_2026_are_the_announced_schedule():
    # when
    days_off, days_on = china_days([2026])

    # then
    assert days_off == CHINA_2026_HOLIDAYS
    assert days_on == CHINA_2026_WORKDAYS
    assert all(d.weekday() >= 5 for d in days_on)


def test_china_days_of_several_years_is_the_union():
    # when
    days_off, days_on = china_days([2025, 2026])

    # then
    assert days_off > CHINA_2026_HOLIDAYS
    assert date(2025, 10, 8) in days_off
    assert days_on == CHINA_2026_WORKDAYS | {
        date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27),
        date(2025, 9, 28), date(2025, 10, 11),
    }  # fmt: skip


def test_fifteen_minutes_at_friday_1750_lands_on_monday_0905():
    # given
    cal = _china_2026()

    # when
    due = add_business_minutes(cal, _sh(2026, 3, 13, 17, 50), 15)

    # then
    assert due == _sh(2026, 3, 16, 9, 5)
    assert due.tzinfo is SHANGHAI


def test_warning_at_eighty_percent_of_the_target():
    # given
    cal = _china_2026()

    # when
    warn = add_business_minutes(cal, _sh(2026, 3, 13, 17, 50), 15 * 0.8)

    # then
    assert warn == _sh(2026, 3, 16, 9, 2)


def test_count_ending_at_closing_time_returns_the_closing():
    # when
    due = add_business_minutes(_china_2026(), _sh(2026, 3, 13, 17, 50), 10)

    # then
    assert due == _sh(2026, 3, 13, 18, 0)


def test_start_outside_hours_counts_from_next_opening():
    # given
    cal = _china_2026()

    # when
    from_night = add_business_minutes(cal, _sh(2026, 3, 10, 22, 0), 30)
    from_sunday = add_business_minutes(cal, _sh(2026, 3, 15, 12, 0), 0)

    # then
    assert from_night == _sh(2026, 3, 11, 9, 30)
    assert from_sunday == _sh(2026, 3, 16, 9, 0)


def test_target_across_national_day_lands_after_the_holiday():
    # given: Oct 1-7 are off; Oct 8 (Thu) is the first working day
    cal = _china_2026()

    # when
    first_reply = add_business_minutes(cal, _sh(2026, 9, 30, 17, 50), 15)
    resolution = add_business_minutes(cal, _sh(2026, 9, 30, 9, 0), 3 * 540)

    # then: Sep 30, Oct 8, Oct 9 are three full days
    assert first_reply == _sh(2026, 10, 8, 9, 5)
    assert resolution == _sh(2026, 10, 9, 18, 0)
    assert business_minutes_between(cal, _sh(2026, 10, 1), _sh(2026, 10, 8)) == 0


def test_make_up_workdays_are_counted_as_working():
    # given
    cal = _china_2026()

    # when
    before_spring_festival = add_business_minutes(cal, _sh(2026, 2, 13, 17, 50), 15)
    after_national_day = add_business_minutes(cal, _sh(2026, 10, 9, 17, 50), 15)

    # then: Sat Feb 14 and Sat Oct 10 are worked; Sun Sep 20 too
    assert before_spring_festival == _sh(2026, 2, 14, 9, 5)
    assert after_national_day == _sh(2026, 10, 10, 9, 5)
    assert is_open(cal, _sh(2026, 9, 20, 10, 0))
    assert business_minutes_between(cal, _sh(2026, 9, 19), _sh(2026, 9, 21)) == 540


def test_spring_festival_week_is_closed_from_saturday_to_the_next_tuesday():
    # given: Sat Feb 14 worked, Sun Feb 15 - Mon Feb 23 off
    cal = _china_2026()

    # when
    due = add_business_minutes(cal, _sh(2026, 2, 14, 17, 0), 120)

    # then
    assert due == _sh(2026, 2, 24, 10, 0)


def test_lunch_break_is_not_counted():
    # given
    split = ((time(9), time(12)), (time(13), time(18)))
    cal = WorkingCalendar(tz=SHANGHAI, weekly=dict.fromkeys(range(5), split))

    # when
    due = add_business_minutes(cal, _sh(2026, 3, 10, 11, 50), 15)
    during_lunch = add_business_minutes(cal, _sh(2026, 3, 10, 12, 30), 15)

    # then
    assert due == _sh(2026, 3, 10, 13, 5)
    assert during_lunch == _sh(2026, 3, 10, 13, 15)
    assert business_minutes_between(cal, _sh(2026, 3, 10, 11), _sh(2026, 3, 10, 14)) == 120
    assert not is_open(cal, _sh(2026, 3, 10, 12, 0))
    assert next_open(cal, _sh(2026, 3, 10, 12, 0)) == _sh(2026, 3, 10, 13, 0)


def test_saturday_hours_and_workday_hours_override():
    # given: Saturday morning open; make-up days worked 10:00-16:00
    weekly = {**WEEKDAYS_9_18, 5: ((time(9), time(12)),)}
    cal = WorkingCalendar(
        tz=SHANGHAI,
        weekly=weekly,
        workdays=frozenset({date(2026, 3, 15)}),
        workday_hours=((time(10), time(16)),),
    )

    # when
    due = add_business_minutes(cal, _sh(2026, 3, 13, 17, 50), 3 * 60 + 20)

    # then: 10 min Fri, 180 min Sat morning, 10 min Sun make-up day from 10:00
    assert due == _sh(2026, 3, 15, 10, 10)


def test_always_open_is_wall_clock_minutes():
    # given
    start = _sh(2026, 9, 30, 23, 30)

    # when
    due = add_business_minutes(ALWAYS_OPEN, start, 90)

    # then: holidays and nights do not matter
    assert due == _sh(2026, 10, 1, 1, 0)
    assert business_minutes_between(ALWAYS_OPEN, start, _sh(2026, 10, 8, 23, 30)) == 8 * 1440
    assert is_open(ALWAYS_OPEN, _sh(2026, 10, 1, 3, 0))
    assert next_open(ALWAYS_OPEN, start) == start


def test_utc_input_gives_calendar_zone_output():
    # when
    due = add_business_minutes(_china_2026(), datetime(2026, 3, 13, 9, 50, tzinfo=UTC), 15)

    # then: 09:50 UTC is 17:50 in Shanghai
    assert due == _sh(2026, 3, 16, 9, 5)
    assert due.tzinfo is SHANGHAI


def test_open_and_next_open_at_the_edges():
    # given
    cal = _china_2026()

    # then: the end of an interval is exclusive
    assert is_open(cal, _sh(2026, 3, 10, 9, 0))
    assert not is_open(cal, _sh(2026, 3, 10, 18, 0))
    assert not is_open(cal, _sh(2026, 10, 1, 10, 0))
    assert next_open(cal, _sh(2026, 3, 10, 10, 17)) == _sh(2026, 3, 10, 10, 17)
    assert next_open(cal, _sh(2026, 3, 10, 18, 0)) == _sh(2026, 3, 11, 9, 0)
    assert next_open(cal, _sh(2026, 9, 30, 18, 0)) == _sh(2026, 10, 8, 9, 0)


def test_berlin_office_hours_across_the_spring_dst_change():
    # given: clocks go forward on Sun 2026-03-29
    cal = WorkingCalendar(tz=BERLIN, weekly=WEEKDAYS_9_18)
    friday = datetime(2026, 3, 27, 17, 50, tzinfo=BERLIN)

    # when
    due = add_business_minutes(cal, friday, 15)

    # then
    assert due == datetime(2026, 3, 30, 9, 5, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)
    assert business_minutes_between(cal, friday, due) == 15


def test_berlin_round_the_clock_days_count_real_elapsed_minutes():
    # given: open 00:00-24:00 every day (not the 24x7 flag)
    cal = WorkingCalendar(tz=BERLIN, weekly=dict.fromkeys(range(7), ((time(0), time.max),)))

    def day(*ymd: int) -> datetime:
        return datetime(*ymd, tzinfo=BERLIN)  # type: ignore[misc]

    # then: 23 h on the spring-forward day, 25 h on the fall-back day
    assert business_minutes_between(cal, day(2026, 3, 29), day(2026, 3, 30)) == 23 * 60
    assert business_minutes_between(cal, day(2026, 10, 25), day(2026, 10, 26)) == 25 * 60
    assert add_business_minutes(cal, day(2026, 3, 29), 23 * 60) == day(2026, 3, 30)
    assert add_business_minutes(ALWAYS_OPEN, day(2026, 3, 28, 12), 1440) == day(2026, 3, 29, 13)


@pytest.mark.parametrize(
    "cal",
    [
        pytest.param(_china_2026(), id="china-2026"),
        pytest.param(
            WorkingCalendar(
                tz=SHANGHAI,
                weekly={
                    **dict.fromkeys(range(5), ((time(9), time(12)), (time(13), time(18)))),
                    5: ((time(10), time(14)),),
                },
            ),
            id="lunch-and-saturday",
        ),
        pytest.param(WorkingCalendar(tz=BERLIN, weekly=WEEKDAYS_9_18), id="berlin"),
    ],
)
def test_between_is_the_inverse_of_add(cal):
    # given
    rng = random.Random(20260101)
    base = datetime(2025, 12, 1, tzinfo=UTC)

    for _ in range(300):
        start = base + timedelta(minutes=rng.randrange(400 * 1440))
        minutes = rng.choice([0, 15, 60, 240, 540, 4 * 1440]) + rng.randrange(600) / 7

        # when
        due = add_business_minutes(cal, start, minutes)

        # then
        assert due >= start
        assert business_minutes_between(cal, start, due) == pytest.approx(minutes, abs=1e-6)
        end = start + timedelta(minutes=rng.randrange(20 * 1440))
        elapsed = business_minutes_between(cal, start, end)
        back = add_business_minutes(cal, start, elapsed)
        if elapsed > 0:  # else `back` is the next opening, possibly after `end`
            assert back <= end
            assert business_minutes_between(cal, back, end) == 0
        if is_open(cal, end) and is_open(cal, end - timedelta(microseconds=1)):
            assert back == end  # inside an interval; at an opening `back` is the last closing


def test_between_is_zero_when_end_is_not_after_start():
    # given
    cal = _china_2026()

    # then
    assert business_minutes_between(cal, _sh(2026, 3, 10, 12), _sh(2026, 3, 10, 12)) == 0
    assert business_minutes_between(cal, _sh(2026, 3, 10, 12), _sh(2026, 3, 10, 10)) == 0


def test_calendar_without_working_time_is_refused():
    # when / then
    with pytest.raises(ValueError, match="no working time"):
        WorkingCalendar(tz=SHANGHAI, weekly={})


def test_calendar_closed_for_a_year_raises_instead_of_looping():
    # given: open on Mondays only, and every Monday of 2026-2027 is a holiday
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=n) for n in range(110))
    cal = WorkingCalendar(tz=SHANGHAI, weekly={0: NINE_TO_SIX}, holidays=mondays)

    # when / then
    with pytest.raises(ValueError, match="no working time in 366 days"):
        add_business_minutes(cal, _sh(2026, 1, 1), 15)
    with pytest.raises(ValueError, match="no working time in 366 days"):
        next_open(cal, _sh(2026, 1, 1))
    assert business_minutes_between(cal, _sh(2026, 1, 1), _sh(2028, 1, 1)) == 0


def test_naive_datetimes_and_negative_minutes_are_refused():
    # given
    cal = _china_2026()
    naive = _sh(2026, 3, 10, 10).replace(tzinfo=None)

    # when / then
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(cal, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(cal, naive, 15)
    with pytest.raises(ValueError, match="finite number"):
        add_business_minutes(cal, _sh(2026, 3, 10, 10), -1)
    with pytest.raises(ValueError, match="finite number"):
        add_business_minutes(cal, _sh(2026, 3, 10, 10), float("inf"))


def test_weekly_from_spec_parses_the_stored_form():
    # when
    weekly = weekly_from_spec(
        {"0": [["09:00", "12:00"], ["13:00", "18:00"]], "5": [["9:30", "24:00"]], "6": []}
    )

    # then
    assert weekly == {
        0: ((time(9), time(12)), (time(13), time(18))),
        5: ((time(9, 30), time(0)),),
        6: (),
    }
    cal = WorkingCalendar(tz=SHANGHAI, weekly=weekly)
    assert business_minutes_between(cal, _sh(2026, 3, 14), _sh(2026, 3, 15)) == 14.5 * 60


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"0": [["09:00", "25:00"]]}, "weekday 0: '25:00' is not a time in HH:MM form"),
        ({"1": [["9h", "18:00"]]}, "weekday 1: '9h' is not a time"),
        ({"2": [["09:00", "18:60"]]}, "'18:60' is not a time"),
        ({"3": [["24:00", "18:00"]]}, "'24:00' is not a time"),
        ({"0": [["18:00", "09:00"]]}, "weekday 0: interval 18:00-09:00 ends before"),
        ({"0": [["09:00", "09:00"]]}, "ends before it starts"),
        ({"4": [["09:00", "13:00"], ["12:00", "18:00"]]}, "weekday 4: intervals overlap"),
        ({"7": [["09:00", "18:00"]]}, "Weekday must be 0"),
        ({"mon": [["09:00", "18:00"]]}, "Weekday must be 0"),
        ({"0": [["09:00"]]}, "is not a \\[start, end\\] pair"),
        ({"0": ["09:00-18:00"]}, "is not a \\[start, end\\] pair"),
        ([["09:00", "18:00"]], "object keyed by weekday"),
    ],
)
def test_weekly_from_spec_rejects_bad_input(spec, message):
    # when / then
    with pytest.raises(ValueError, match=message):
        weekly_from_spec(spec)


def test_calendar_rejects_bad_intervals_built_in_code():
    # when / then
    with pytest.raises(ValueError, match="intervals overlap"):
        WorkingCalendar(tz=SHANGHAI, weekly={0: ((time(9), time(13)), (time(12), time(18)))})
    with pytest.raises(ValueError, match="Weekday must be 0"):
        WorkingCalendar(tz=SHANGHAI, weekly={7: NINE_TO_SIX})
