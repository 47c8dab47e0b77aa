# src/types/casegen/dtcases.py - generates test expectations from a PostgreSQL 15 server (see README.md).
import subprocess
C = []  # (timezone, expression kind, type, input, extra)
zones = ['UTC', '+05:30', 'UTC+3', 'Etc/GMT-2', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata']
tstz = ['2024-01-31 12:34:56.789+00', '2024-03-01 00:00:00+05', '1999-12-31 23:59:59-08', '0044-03-15 12:00:00+00 BC', 'infinity']
for z in zones:
    for v in tstz:
        C.append((z, 'out', 'timestamptz', v, ''))
    for v in ['2024-01-31 12:34:56', '2024-06-30 23:00', '2024-03-10 02:30', '2024-11-03 01:30', '2024-03-31 02:30', '2024-10-27 02:30', '2024-04-07 01:45', '2024-10-06 02:10', '2060-07-01 12:00', '1900-06-01 00:00', '1850-01-01 00:00', '2024-01-01 12:00 Europe/Berlin', '2024-07-01 12:00 America/New_York']:
        C.append((z, 'out', 'timestamptz', v, ''))
    for f in ['year','month','day','hour','minute','second','epoch','dow','doy','timezone','timezone_hour','julian','week','isoyear','quarter']:
        C.append((z, 'extract', 'timestamptz', '2024-12-30 23:30:15.5+00', f))
    for f in ['day','hour','month','week','year']:
        C.append((z, 'trunc', 'timestamptz', '2024-12-30 23:30:15.5+00', f))
    C.append((z, 'cast_ts', 'timestamptz', '2024-01-31 20:00:00+00', ''))
    C.append((z, 'cast_date', 'timestamptz', '2024-01-31 20:00:00+00', ''))
    C.append((z, 'from_ts', 'timestamp', '2024-01-31 20:00:00', ''))
    C.append((z, 'to_char', 'timestamptz', '2024-01-31 20:00:00+00', 'YYYY-MM-DD HH24:MI TZ'))
    C.append((z, 'to_char', 'timestamptz', '2024-07-31 20:00:00+00', 'YYYY-MM-DD HH24:MI TZ OF'))
    C.append((z, 'plus', 'timestamptz', '2024-03-09 12:00:00+00', '1 day'))
    C.append((z, 'plus', 'timestamptz', '2024-03-09 12:00:00+00', '24 hours'))
    C.append((z, 'plus', 'timestamptz', '2024-10-26 12:00:00+00', '1 mon'))
    C.append((z, 'trunc', 'timestamptz', '2024-03-10 12:00+00', 'day'))
    C.append((z, 'extract', 'timestamptz', '2024-07-01 12:00+00', 'timezone'))
for f in ['millennium','century','decade','year','isoyear','quarter','month','week','day','dow','isodow','doy','hour','minute','second','milliseconds','microseconds','epoch','julian']:
    for v in ['2024-02-29 13:14:15.123456', '0001-01-01 00:00:00', '0044-03-15 10:00:00 BC', '2000-01-01 00:00:00', '1970-01-01 00:00:01.5']:
        C.append(('UTC', 'extract', 'timestamp', v, f))
    C.append(('UTC', 'extract', 'date', '2024-02-29', f))
    C.append(('UTC', 'extract', 'interval', '1 year 2 mons 3 days 04:05:06.789', f))
    C.append(('UTC', 'extract', 'time', '13:14:15.5', f))
for u in ['microseconds','milliseconds','second','minute','hour','day','week','month','quarter','year','decade','century','millennium']:
    for v in ['2024-02-29 13:14:15.123456', '1999-01-03 00:00:00', '0044-03-15 10:00:00 BC']:
        C.append(('UTC', 'trunc', 'timestamp', v, u))
    C.append(('UTC', 'trunc', 'interval', '1234 years 5 mons 6 days 07:08:09.123', u))
for a, b in [('2024-01-31','1 month'), ('2024-01-31','1 mon 1 day'), ('2024-02-29','1 year'), ('2024-03-31','-1 month'), ('2023-12-31 23:59:59.999999','1 microsecond'), ('2024-01-01','-1.5 days'), ('2024-01-01','100 years 1 hour')]:
    C.append(('UTC', 'plus', 'timestamp', a, b))
for a, b in [('2024-03-01','2023-01-31 12:00'), ('2024-01-01','2024-01-01'), ('2023-01-01','2024-03-15 06:00'), ('2024-02-29','2020-02-29'), ('2024-03-31','2024-02-29')]:
    C.append(('UTC', 'minus', 'timestamp', a, b))
    C.append(('UTC', 'age', 'timestamp', a, b))
for a, b in [('1 day 02:00:00','2.5'), ('1 mon','0.5'), ('1 year','1.5'), ('-1 day 01:00','3'), ('1 mon 15 days','0.1'), ('10:00:00','-0.5')]:
    C.append(('UTC', 'mul', 'interval', a, b))
    C.append(('UTC', 'div', 'interval', a, b))
for v in ['27 hours', '-27 hours', '1 mon -1 day', '35 days', '1 mon -35 days 25:00', '-1 mon 35 days -25:00']:
    C.append(('UTC', 'justify_hours', 'interval', v, ''))
    C.append(('UTC', 'justify_days', 'interval', v, ''))
    C.append(('UTC', 'justify_interval', 'interval', v, ''))
for v, fmt in [('2024-01-05 15:04:05.123456', 'YYYY-MM-DD"T"HH24:MI:SS.US'), ('2024-01-05 03:04:05', 'HH:MI:SS am, Dy DD Mon'), ('2024-12-30', 'IYYY-IW-ID WW Q CC J'), ('0044-03-15 10:00 BC', 'YYYY BC Y,YYY'), ('2024-01-05', 'FMDD FMMM FMHH12 FMMonth!'), ('2024-01-05', 'day DAY Day dy DY MONTH month mon')]:
    C.append(('UTC', 'to_char', 'timestamp', v, fmt))
for v, fmt in [('2024-01-05 15:04:05', 'YYYY-MM-DD HH24:MI:SS'), ('5 January 2024', 'DD Month YYYY'), ('2024/366', 'YYYY/DDD'), ('03:04:05 PM 2024-01-05', 'HH12:MI:SS AM YYYY-MM-DD'), ('2024-01-05 15:04:05.25', 'YYYY-MM-DD HH24:MI:SS.MS'), ('2024-13-05', 'YYYY-MM-DD')]:
    C.append(('UTC', 'to_timestamp', 'text', v, fmt))
def sql_of(z, kind, t, v, extra):
    lit = "'%s'::%s" % (v, t)
    if kind == 'out': return "select %s::text" % lit
    if kind == 'extract': return "select extract(%s from %s)::text" % (extra, lit)
    if kind == 'trunc': return "select date_trunc('%s', %s)::text" % (extra, lit)
    if kind == 'cast_ts': return "select %s::timestamp::text" % lit
    if kind == 'cast_date': return "select %s::date::text" % lit
    if kind == 'from_ts': return "select %s::timestamptz::text" % lit
    if kind == 'to_char': return "select to_char(%s, '%s')" % (lit, extra)
    if kind == 'plus': return "select (%s + '%s'::interval)::text" % (lit, extra)
    if kind == 'minus': return "select (%s - '%s'::timestamp)::text" % (lit, extra)
    if kind == 'age': return "select age(%s, '%s'::timestamp)::text" % (lit, extra)
    if kind == 'mul': return "select (%s * %s::float8)::text" % (lit, extra)
    if kind == 'div': return "select (%s / %s::float8)::text" % (lit, extra)
    if kind.startswith('justify'): return "select %s(%s)::text" % (kind, lit)
    if kind == 'to_timestamp': return "select to_timestamp('%s', '%s')::text" % (v, extra)
def run(z, sql):
    r = subprocess.run(['psql','-AtqX','-P','null=<NULL>','-v','VERBOSITY=verbose','-c',"set timezone='%s'" % z,'-c',sql],capture_output=True,text=True)
    if r.returncode != 0 or 'ERROR' in r.stderr:
        line = [l for l in r.stderr.split('\n') if 'ERROR' in l][0]
        return 'ERR:' + line.split('ERROR:')[1].strip().split(':')[0]
    return r.stdout.rstrip('\n')
def esc(s): return s.replace('\\','\\\\').replace('"','\\"')
with open('datetime_cases.inc','w') as fo:
    fo.write('/* Generated from PostgreSQL 15: {TimeZone, kind, type, input, extra, expected or ERR:sqlstate}. */\n')
    for z,k,t,v,e in C:
        fo.write('{"%s", "%s", "%s", "%s", "%s", "%s"},\n' % (z,k,t,esc(v),esc(e),esc(run(z, sql_of(z,k,t,v,e)))))
print(len(C))
