# src/types/casegen/iocases.py - generates test expectations from a PostgreSQL 15 server (see README.md).
import subprocess
cases = {
 'integer': ['0','42',' -17 ','+5','2147483647','-2147483648','2147483648','99999999999','abc','','1.5',' 1 2','0x10','-0','00012'],
 'smallint': ['32767','-32768','32768','-32769','12'],
 'bigint': ['9223372036854775807','-9223372036854775808','9223372036854775808','-9223372036854775809','123456789012'],
 'boolean': ['t','true','TRUE','yes','y','on','1','f','false','no','n','off','0','  true  ','tr','of','o','maybe',''],
 'real': ['0.1','1','-2.5','1e10','1e-10','3.4e38','3.5e39','NaN','Infinity','-inf','123456.7','1234567','100000','1000000','0.000123','1.17549435e-38','abc','1e-50'],
 'double precision': ['0.1','1','-2.5','1e100','1e-100','123456789012345','1234567890123456','1e15','1e16','0.0001','0.00001','3.141592653589793','NaN','-Infinity','inf','1e400','1e-400','-0','  5  ','1.5e','x','0.30000000000000004','100','1e22','2e-308'],
 'numeric': ['0','1.50','-0.001','1e3','NaN','Infinity','-inf','abc','12345678901234567890.123456789','  7  '],
 'numeric(5,2)': ['123.456','1234.5','-999.994','-999.995','0.005'],
 'numeric(3)': ['999','999.4','999.5','-1.5'],
 'varchar(3)': ['ab','abc','abcd','abc   ','ab  c','é€x','é€xy'],
 'char(3)': ['a','abc','abcd','abc  ','ab'],
 'text': ['hello','',' spaced '],
 'bytea': ['\\x0102ff','\\xDEADbeef','abc','a\\\\b','\\001\\002','\\x1','\\xzz','\\x 01 02'],
 'uuid': ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11','A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11','{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}','a0eebc999c0b4ef8bb6d6bb9bd380a11','a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11','a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1','xyz','a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111'],
 'date': ['2024-01-31','2024-02-29','2023-02-29','1999-01-08','January 8, 1999','1/8/1999','1/8/99','08-Jan-1999','Jan-08-1999','19990108','2024-13-01','0044-03-15 BC','0001-01-01','0001-12-31 BC','infinity','-infinity','epoch','2024-01-31 12:34:56','garbage','2024-1-5','5874897-12-31','5874898-01-01','4713-11-24 BC','4714-11-23 BC','0000-01-01','8 Jan 1999','Jan 8 1999'],
 'time': ['12:34:56','12:34','12:34:56.789','23:59:59.9999999','24:00:00','25:00:00','1:02:03 pm','12:00 am','12:60:00','abc','04:05:06.123456789','2024-01-01 10:00:00'],
 'timestamp': ['2024-01-31 12:34:56','2024-01-31T12:34:56','2024-01-31 12:34:56.5','2024-01-31','2024-01-31 12:34:56+05','2024-01-31 12:34:56 UTC','1999-01-08 04:05:06 PM','infinity','-infinity','epoch','2024-02-30 00:00:00','2024-01-31 24:00:00','0044-03-15 10:00:00 BC','294276-12-31 23:59:59','294277-01-01 00:00:00','2024-01-31 12:34:56.1234567','January 8, 1999 04:05'],
 'timestamptz': ['2024-01-31 12:34:56','2024-01-31 12:34:56+05','2024-01-31 12:34:56-08:30','2024-01-31T12:34:56Z','2024-01-31 12:34:56 UTC','2024-01-31 12:34:56 GMT','2024-01-31 12:34:56.25+00','infinity','2024-01-31 12:34:56 +0530','2024-01-31 12:34:56 Europe/Nowhere'],
 'interval': ['1 day','2 days','1 day 02:00:00','3 mons','1 year 2 months 3 days','1-2','3 4:05:06','@ 1 hour ago','-1 day +02:00','1.5 days','1.5 months','1.5 years','90 minutes','1 week','P1Y2M3DT4H5M6S','PT0.5S','P2W','10','10:00','-10:00:00','1 day -1 hour','2 hours 30 minutes','1 millisecond','1 microsecond','1 decade','1 century','0','abc','1 fortnight','25:00:00','-1 year -2 mons +3 days -04:05:06','1 mon -1 day','00:00:00.000001','1000000 hours'],
 'jsonb': ['{"b":1,"aa":2,"a":3,"a":4}','[1, 2.50, 1e2, -0, true, false, null, "x"]','"str\\"ing"','  {  }  ','[]','{"a": {"c": [1, {"d": null}], "b": 2}}','123456789012345678901234567890123456789012','1e-5','"\\u00e9\\n\\t\\u0001"','{"a":1','abc','[1,2','{"a" 1}','[1,]','01','1.','-','"\\ud83d\\ude00"','{"a":1}x','[1.0e+2, 0.5E1]','"\\u0000"'],
 'json': ['{"b":1,"a":2}','  [1, 2]  ','{"a":','nope'],
}
def run(sql):
    r = subprocess.run(['psql','-AtqX','-v','VERBOSITY=verbose','-c',"set timezone='UTC'",'-c',sql],capture_output=True,text=True)
    if r.returncode != 0 or 'ERROR' in r.stderr:
        line = [l for l in r.stderr.split('\n') if 'ERROR' in l][0]
        code = line.split('ERROR:')[1].strip().split(':')[0]
        return 'ERR:' + code
    return r.stdout.rstrip('\n')
def esc(s):
    return s.replace('\\','\\\\').replace('"','\\"').replace('\n','\\n').replace('\t','\\t')
out=[]
for typ, inputs in cases.items():
    for inp in inputs:
        lit = inp.replace("'","''")
        res = run("select '%s'::%s" % (lit, typ))
        out.append((typ, inp, res))
with open('value_io_cases.inc','w') as f:
    f.write('/* Generated from PostgreSQL 15 (TimeZone UTC, DateStyle ISO, MDY): {type, input, output or ERR:sqlstate}. */\n')
    for t,i,r in out:
        f.write('{"%s", "%s", "%s"},\n' % (esc(t),esc(i),esc(r)))
print(len(out))
