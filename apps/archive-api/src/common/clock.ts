import { Injectable } from '@nestjs/common';

/** The time, behind an injectable so tests and retention reviews can fix "now". */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
