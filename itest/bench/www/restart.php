<?php
// restart-gap: 50 ms of work, then the pid of the PHP process that answered.
usleep(50000);
echo getmypid();
