// Loading a node file registers its operator on Stream; keep one line per operator file.
import './accumulate';
import './async-iterator';
import './buffer';
import './collect';
import './filter';
import './flatten';
import './frequencies';
import './latest';
import './map';
import './pluck';
import './rate-limit';
import './remove';
import './sink';
import './sink-to-list';
import './slice';
import './starmap';
import './unique';
