import { Global, Injectable, Module } from '@nestjs/common';

/** The time, behind an injectable so tests and retention reviews can fix "now". */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** One Clock for the whole app, so overriding it in a test moves every feature's "now" together. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
