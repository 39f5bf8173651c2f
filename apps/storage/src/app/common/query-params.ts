import { Transform } from 'class-transformer';
import { ValidateBy, type ValidationOptions, buildMessage } from 'class-validator';

import { isCalendarDate } from './calendar-date';

/**
 * Query strings carry text only. These transforms turn the text into the property's type and leave
 * anything unexpected as it is, so that the validators reject it with a message naming the parameter
 * (class-transformer's own `@Type(() => Number)` would turn an empty value into 0, and
 * `@Type(() => Boolean)` "false" into true).
 */
export const ToNumber = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  );

export const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

/** A parameter that may be repeated (`?entity=a&entity=b`) arrives as a string when given once. */
export const ToArray = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value));

/** A real calendar date written YYYY-MM-DD (2022-02-30 is not one). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
        defaultMessage: buildMessage(
          (eachPrefix) => `${eachPrefix}$property must be a calendar date YYYY-MM-DD`,
          options,
        ),
      },
    },
    options,
  );
}
