// Loading a node file registers its operator on Stream; keep one line per operator file.
import './accumulate';
import './async-iterator';
import './collect';
import './filter';
import './flatten';
import './frequencies';
import './map';
import './pluck';
import './remove';
import './sink';
import './sink-to-list';
import './slice';
import './starmap';
import './unique';
